import { readContentPack } from "../../../server/src/content/load-pack.js";
import { problemTruths, SimLearner } from "./learner-model.js";
const pack = readContentPack();
for (const slug of ["coding-foundations", "math-foundations"]) {
  const problems = pack.problems.filter((p) => p.track === slug);
  const truths = problemTruths(problems, 1);
  const med = SimLearner.medianDifficulty(truths);
  const res: number[] = [];
  const shares: number[] = [];
  for (let i = 0; i < 40; i++) {
    const l = new SimLearner(100 + i, truths, med);
    let idx = 0, retries = 0, n = 0, t = 0;
    while (n < 1200 && l.masteredShare() < 1) {
      const p = truths[idx % truths.length]!;
      const ok = l.attempt(p, t); n++; t += 86_400_000 / 10;
      if (ok || retries >= 3) { idx++; retries = 0; } else retries++;
    }
    res.push(l.masteredShare() >= 1 ? n : Infinity); shares.push(l.masteredShare());
  }
  res.sort((a, b) => a - b);
  console.log(slug, problems.length, med.size, "median", res[20], "p90", res[36], "share", (shares.reduce((a, b) => a + b) / 40).toFixed(2));
}
