import { randomFillSync } from "node:crypto";

const IDS_PER_REFILL = 1024;
const ID_CHARS = 36;
const HEX = Buffer.from("0123456789abcdef", "latin1");
/** Where the dashes of `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` go, after which of the 16 bytes. */
const DASH_AFTER = [
  false,
  false,
  false,
  true,
  false,
  true,
  false,
  true,
  false,
  true,
  false,
  false,
  false,
  false,
  false,
  false,
];

/**
 * Random version 4 UUIDs for eventIDs, the form crypto.randomUUID returns. Every record needs
 * one, and randomUUID joins some twenty small strings per ID (about 600 bytes of garbage); here
 * random bytes are formatted as text for a thousand IDs at a time, and each ID is one latin1
 * slice of that text.
 */
export class EventIdSource {
  private readonly random = Buffer.alloc(16 * IDS_PER_REFILL);
  private readonly text = Buffer.alloc(ID_CHARS * IDS_PER_REFILL);
  private next = IDS_PER_REFILL;

  take(): string {
    if (this.next === IDS_PER_REFILL) this.refill();
    const at = ID_CHARS * this.next++;
    return this.text.toString("latin1", at, at + ID_CHARS);
  }

  private refill(): void {
    const random = randomFillSync(this.random);
    const text = this.text;
    let out = 0;
    for (let id = 0; id < IDS_PER_REFILL; id++) {
      const base = id * 16;
      // RFC 9562: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
      random[base + 6] = ((random[base + 6] as number) & 0x0f) | 0x40;
      random[base + 8] = ((random[base + 8] as number) & 0x3f) | 0x80;
      for (let i = 0; i < 16; i++) {
        const b = random[base + i] as number;
        text[out++] = HEX[b >> 4] as number;
        text[out++] = HEX[b & 15] as number;
        if (DASH_AFTER[i]) text[out++] = 0x2d;
      }
    }
    this.next = 0;
  }
}
