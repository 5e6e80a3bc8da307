import { afterAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/index.js";

const evaluator = new LocalEvaluator({ pythonEnabled: true, childPath: "/usr/local/bin:/usr/bin:/bin" });
afterAll(() => evaluator.close());

describe("sandboxed code and the server's secrets", () => {
  it("when Python code reads its environment, it finds only PATH", { timeout: 30_000 }, async () => {
    const result = await evaluator.evaluateCode({
      problemId: "env",
      language: "python",
      code: "import os\ndef env_keys():\n    return sorted(k for k in os.environ.keys() if k not in ('LC_CTYPE',))\n",
      entrypoint: "env_keys",
      visibleTests: [{ input: [], expected: ["PATH"] }],
      hiddenTests: [],
      compare: "exact",
      timeoutMs: 10_000,
    });
    expect(result.visible.details[0]!.actual).toEqual(["PATH"]);
  });
});
