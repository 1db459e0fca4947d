/**
 * Adapter from a parsed CCEL/TCG2 event log (src/eventlog) to the appraisal's event lists:
 * RTMR extends only (CC MR index 1..4 -> RTMR0..3, EV_NO_ACTION excluded; tdx-reference.md
 * section 12.3), with their SHA-384 digests and the component labels of `labelEvents`.
 */

import { ParseError } from "../errors.js";
import { labelEvents } from "../eventlog/label.js";
import { isRtmrExtend, requireSha384 } from "../eventlog/replay.js";
import { type EventLog, sha384Digest, type TcgEvent } from "../eventlog/types.js";
import type { ReferenceEvent } from "../reference/types.js";
import type { AppraisalEvent } from "./types.js";

/**
 * The RTMR-extending events of a log, labeled. A log whose header declares no SHA-384 digests
 * fails with ERR_UNSUPPORTED_ALGORITHM (as the replay does); a single record without SHA-384 in
 * a SHA-384 log fails closed with ERR_EVENTLOG_FORMAT.
 */
export function appraisalEventsFromLog(log: EventLog | readonly TcgEvent[]): ReferenceEvent[] {
  if ("events" in log) requireSha384(log);
  const events = "events" in log ? log.events : log;
  return labelEvents(events)
    .filter((l) => isRtmrExtend(l.event))
    .map((l) => {
      const digest = sha384Digest(l.event);
      if (!digest) {
        throw new ParseError(
          "ERR_EVENTLOG_FORMAT",
          `event ${l.event.seq}: RTMR extend without a SHA-384 digest`,
          {
            field: `events[${l.event.seq}].digests`,
            offset: l.event.offset,
          },
        );
      }
      return {
        rtmr: (l.event.mrIndex - 1) as 0 | 1 | 2 | 3,
        type: l.event.eventType,
        digest,
        label: l.label,
      };
    });
}

/** Same list typed as appraisal input (the TD's own log). */
export function appraisalInputEvents(log: EventLog | readonly TcgEvent[]): AppraisalEvent[] {
  return appraisalEventsFromLog(log);
}
