import { describe, expect, it } from "vitest";
import { csvField, csvHeader, csvRows, neutraliseFormula } from "../../server/src/http/study-export.csv.js";

describe("CSV of the study export", () => {
  it("leaves plain fields alone and quotes those with a comma, a quote or a line break (RFC 4180)", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField("")).toBe("");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("writes a CRLF-ended header, nulls as empty cells, dates as ISO-8601, arrays and objects as JSON", () => {
    expect(csvHeader()).toBe(
      "id,path_id,problem_id,module,topic_tags,difficulty,scheduled_at,started_at,completed_at,status,score,time_spent_seconds,hints_used,metadata\r\n",
    );
    const row = csvRows([
      {
        id: "t1",
        path_id: "p1",
        problem_id: "sum-of-digits",
        module: null,
        topic_tags: ["math", "loops"],
        difficulty: 2,
        scheduled_at: new Date("2030-01-01T00:00:00Z"),
        started_at: null,
        completed_at: null,
        status: "completed",
        score: 0.5,
        time_spent_seconds: null,
        hints_used: 1,
        metadata: { note: "a" },
      },
    ]);
    expect(row).toBe('t1,p1,sum-of-digits,,"[""math"",""loops""]",2,2030-01-01T00:00:00.000Z,,,completed,0.5,,1,"{""note"":""a""}"\r\n');
  });

  it("when a learner's text starts like a formula (=, +, -, @, tab, CR), the cell gets a leading ' and stays text", () => {
    for (const text of ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]) expect(neutraliseFormula(text)).toBe(`'${text}`);
    for (const text of ["basics", "", "a=b", "1-2", "[\"=x\"]"]) expect(neutraliseFormula(text)).toBe(text);
    const row = csvRows([
      {
        id: "t1",
        path_id: "p1",
        problem_id: "count-evens",
        module: "=cmd|' /C calc'!A0",
        topic_tags: ["=1+1"],
        difficulty: 1,
        scheduled_at: new Date("2030-01-01T00:00:00Z"),
        started_at: null,
        completed_at: null,
        status: "scheduled",
        score: 0,
        time_spent_seconds: 0,
        hints_used: 0,
        metadata: {},
      },
    ]);
    expect(row).toBe(`t1,p1,count-evens,'=cmd|' /C calc'!A0,"[""=1+1""]",1,2030-01-01T00:00:00.000Z,,,scheduled,0,0,0,{}\r\n`);
  });
});
