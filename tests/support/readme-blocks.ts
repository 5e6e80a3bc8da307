import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./entry-point.js";

export const WALKTHROUGH_MARKER = "<!-- walkthrough -->";

/**
 * The ```bash blocks of README.md that directly follow a `<!-- walkthrough -->` line, in
 * order, with their fence's indentation removed (a block inside a list item is indented).
 */
export function readmeWalkthroughBlocks(readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8")): string[] {
  const lines = readme.split("\n");
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== WALKTHROUGH_MARKER) continue;
    const fence = /^(\s*)```bash\s*$/.exec(lines[i + 1] ?? "");
    if (!fence) throw new Error(`README.md line ${i + 1}: ${WALKTHROUGH_MARKER} is not followed by a \`\`\`bash fence`);
    const indent = fence[1]!;
    const body: string[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim() !== "```"; j++) {
      const line = lines[j]!;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    if (j === lines.length) throw new Error(`README.md line ${i + 2}: the walk-through block is never closed`);
    blocks.push(body.join("\n"));
    i = j;
  }
  return blocks;
}
