/** Where JSON text stops being JSON: a 0-based character offset, its 1-based line and column, and what was wrong there. */
export interface JsonSyntaxProblem {
  position: number;
  line: number;
  column: number;
  problem: string;
}

type Expecting = "value" | "value or ]" | "name or }" | "name" | ":" | "next" | "end";

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** A character as a person reads it in a message: printable ones quoted, others by code point. */
function shown(char: string): string {
  const code = char.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `\`${char}\``;
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf("\n"); index !== -1 && index < position; index = text.indexOf("\n", index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: position - lineStart + 1 };
}

/** Scans a string literal starting at its opening quote: the index after it, or the offset and reason it fails. */
function scanString(text: string, start: number): number | { at: number; problem: string } {
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') return index + 1;
    if (char === "\\") {
      const escaped = text[index + 1];
      if (escaped === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) return { at: index, problem: "a `\\u` escape needs four hex digits" };
        index += 5;
      } else if (escaped !== undefined && ESCAPES.has(escaped)) index++;
      else return { at: index, problem: "unknown escape in a string" };
    } else if (char < " ") return { at: index, problem: `unescaped control character ${shown(char)} in a string` };
  }
  return { at: start, problem: "a string is never closed" };
}

/**
 * Finds the first point where `text` is not JSON (RFC 8259), or undefined when it parses.
 * Iterative, so nesting depth cannot overflow the stack; run only after `JSON.parse` failed,
 * whose own messages name no position for an unexpected character.
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const open: ("{" | "[")[] = [];
  let expecting: Expecting = "value";
  let index = 0;
  const fail = (position: number, problem: string): JsonSyntaxProblem => ({ position, ...lineAndColumn(text, position), problem });
  const afterValue = (): Expecting => (open.length === 0 ? "end" : "next");

  for (;;) {
    while (index < text.length && WHITESPACE.has(text[index]!)) index++;
    if (index >= text.length) {
      if (expecting === "end") return undefined;
      return fail(index, open.length > 0 ? `the JSON ends before its \`${open.at(-1) === "{" ? "}" : "]"}\`` : "there is no JSON value");
    }
    const char = text[index]!;
    switch (expecting) {
      case "end":
        return fail(index, `unexpected ${shown(char)} after the JSON value`);
      case ":":
        if (char !== ":") return fail(index, `expected \`:\` after a property name, found ${shown(char)}`);
        index++;
        expecting = "value";
        continue;
      case "next": {
        const close = open.at(-1) === "{" ? "}" : "]";
        if (char === ",") {
          index++;
          expecting = close === "}" ? "name" : "value";
        } else if (char === close) {
          open.pop();
          index++;
          expecting = afterValue();
        } else return fail(index, `expected \`,\` or \`${close}\`, found ${shown(char)}`);
        continue;
      }
      case "name or }":
      case "name": {
        if (char === "}" && expecting === "name or }") {
          open.pop();
          index++;
          expecting = afterValue();
          continue;
        }
        if (char !== '"') return fail(index, `expected a double-quoted property name, found ${shown(char)}`);
        const end = scanString(text, index);
        if (typeof end !== "number") return fail(end.at, end.problem);
        index = end;
        expecting = ":";
        continue;
      }
      case "value or ]":
      case "value": {
        if (char === "]" && expecting === "value or ]") {
          open.pop();
          index++;
          expecting = afterValue();
          continue;
        }
        if (char === "{" || char === "[") {
          open.push(char);
          index++;
          expecting = char === "{" ? "name or }" : "value or ]";
          continue;
        }
        if (char === '"') {
          const end = scanString(text, index);
          if (typeof end !== "number") return fail(end.at, end.problem);
          index = end;
        } else if (char === "-" || (char >= "0" && char <= "9")) {
          NUMBER.lastIndex = index;
          if (!NUMBER.test(text)) return fail(index, "a number is incomplete");
          index = NUMBER.lastIndex;
        } else {
          const literal = ["true", "false", "null"].find((word) => text.startsWith(word, index));
          if (!literal) return fail(index, `expected a value, found ${shown(char)}`);
          index += literal.length;
        }
        expecting = afterValue();
        continue;
      }
    }
  }
}
