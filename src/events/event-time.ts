let lastSecond = Number.NaN;
let lastText = "";

/**
 * `2023-07-19T21:33:41Z`: CloudTrail's eventTime, whole seconds, UTC. Every recorded event
 * formats its time, and events come many per second: the last second's text is kept.
 */
export function formatEventTime(d: Date): string {
  return formatEventTimeMs(d.getTime());
}

/** formatEventTime for milliseconds since the epoch (no Date needed while the second lasts). */
export function formatEventTimeMs(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = `${new Date(ms).toISOString().slice(0, 19)}Z`; // an invalid time throws here
    lastSecond = second;
  }
  return lastText;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `Jul 10, 2023, 12:31:14 PM`: how CloudTrail renders timestamps inside requestParameters and
 * responseElements (Java's default DateFormat, UTC), as seen in real records' `expiration`.
 */
export function formatParameterTime(d: Date): string {
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${time}`;
}
