import { type AlertLevel, LEVEL_RANK } from './alertLevel.js';

/**
 * What an alert is about: a frequency level; the job's safety brake; or `premature`, too many
 * heals given the verdict premature. The brake and `premature` are gated each on its own, apart
 * from the ladder of levels.
 */
export type AlertKind = AlertLevel | 'safety_brake' | 'premature';

export const ALERT_KINDS: readonly AlertKind[] = ['yellow', 'red', 'critical', 'safety_brake', 'premature'];

/** Worst first, for choosing which alerts of a run get a message of their own. */
export const KIND_SEVERITY: Record<AlertKind, number> = { safety_brake: 5, critical: 4, red: 3, premature: 2, yellow: 1 };

export type AlertStateJson = Partial<Record<AlertKind, string>>;

/** The same kind of alert for one healing type is sent at most once in this window. */
export const ALERT_REPEAT_MS = 60 * 60 * 1000;

export function isLevel(kind: AlertKind): kind is AlertLevel {
  return kind in LEVEL_RANK;
}

/** When each kind of alert was last sent for one healing type, and whether a kind may go out now. */
export class AlertState {
  private readonly lastSent: AlertStateJson;

  constructor(initialState: AlertStateJson = {}) {
    this.lastSent = { ...initialState };
  }

  /**
   * A kind is sent unless it, or a higher level, went out within the last hour; so a repeat waits
   * an hour while an escalation goes out at once. The brake and `premature` look at themselves only.
   */
  shouldSend(kind: AlertKind, now: Date): boolean {
    const recent = (other: AlertKind) => {
      const sent = this.lastSent[other];
      return sent !== undefined && now.getTime() - Date.parse(sent) < ALERT_REPEAT_MS;
    };
    if (!isLevel(kind)) return !recent(kind);
    return !(Object.keys(LEVEL_RANK) as AlertLevel[]).some((other) => LEVEL_RANK[other] >= LEVEL_RANK[kind] && recent(other));
  }

  withSent(kind: AlertKind, now: Date): AlertState {
    return new AlertState({ ...this.lastSent, [kind]: now.toISOString() });
  }

  toJSON(): AlertStateJson {
    return { ...this.lastSent };
  }
}
