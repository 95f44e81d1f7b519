/**
 * Where a JSON text stops being valid. JSON.parse's own messages are not used: V8 quotes the
 * surrounding text, which in an identities file may be a secret access key.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

/** The offset of the first character that makes `text` invalid JSON, or undefined if it is valid. */
export function jsonErrorPosition(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const match = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const skip = () => match(SPACE);
  const expect = (c: string) => {
    skip();
    if (text[i] !== c) fail();
    i++;
  };
  const sequence = (close: string, item: () => void) => {
    i++;
    skip();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skip();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(",");
    }
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === "{") {
      sequence("}", () => {
        skip();
        if (!match(STRING)) fail();
        expect(":");
        value();
      });
    } else if (c === "[") {
      sequence("]", value);
    } else if (!match(STRING) && !match(NUMBER) && !match(LITERAL)) {
      fail();
    }
  };
  try {
    value();
    skip();
    return i < text.length ? i : undefined;
  } catch (position) {
    return position as number;
  }
}
