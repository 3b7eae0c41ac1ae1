import { countTokens } from "@bentoo/providers";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestApp, type TestApp } from "./helpers.js";

/**
 * The sandbox (test keys) honours what OpenAI's SDK users rely on: `n`
 * choices, `logprobs` / `top_logprobs`, and Structured Outputs whose schema
 * has nullable members, unions, enums and recursive `$ref`s, so that
 * `zodResponseFormat` with `chat.completions.parse` works as it does on live keys.
 */
describe("sandbox chat options (official openai SDK, zod)", () => {
  let t: TestApp;
  let client: OpenAI;
  const model = "openai/gpt-6-luna";

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    client = new OpenAI({ apiKey: (await t.seedAccount({ mode: "test" })).key, baseURL: `http://127.0.0.1:${address.port}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("n: that many choices, each counted in completion_tokens; the first is the n=1 answer", async () => {
    const messages = [{ role: "user" as const, content: "Tell me something" }];
    const one = await client.chat.completions.create({ model, messages, max_completion_tokens: 200 });
    const three = await client.chat.completions.create({ model, messages, n: 3, max_completion_tokens: 200 });
    expect(three.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(three.choices[0]!.message.content).toBe(one.choices[0]!.message.content);
    expect(new Set(three.choices.map((choice) => choice.message.content)).size).toBe(3);
    const output = three.choices.reduce((sum, choice) => sum + countTokens(choice.message.content!), 0);
    expect(three.usage).toMatchObject({ prompt_tokens: one.usage!.prompt_tokens, completion_tokens: output });
  });

  it("n when streamed: every choice's deltas, each choice finished", async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Stream two" }],
      n: 2,
      max_completion_tokens: 200,
      stream: true,
    });
    const texts = ["", ""];
    const finishes: Array<string | null> = [null, null];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.delta.content ?? "";
        if (choice.finish_reason !== null) finishes[choice.index] = choice.finish_reason;
      }
    }
    const whole = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Stream two" }], n: 2, max_completion_tokens: 200 });
    expect(texts).toEqual(whole.choices.map((choice) => choice.message.content));
    expect(finishes).toEqual(["stop", "stop"]);
  });

  it("logprobs with top_logprobs: one entry per piece of the text, in OpenAI's shape, probabilities that add up", async () => {
    const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], logprobs: true, top_logprobs: 3 });
    const choice = completion.choices[0]!;
    const content = choice.logprobs!.content!;
    expect(content.map((entry) => entry.token).join("")).toBe(choice.message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThan(0);
      expect(entry.bytes).toEqual([...Buffer.from(entry.token, "utf8")]);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]).toMatchObject({ token: entry.token, logprob: entry.logprob });
      const logprobs = entry.top_logprobs.map((alternative) => alternative.logprob);
      expect([...logprobs].sort((a, b) => b - a)).toEqual(logprobs);
      expect(logprobs.reduce((sum, logprob) => sum + Math.exp(logprob), 0)).toBeLessThanOrEqual(1);
    }
    const again = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], logprobs: true, top_logprobs: 3 });
    expect(again.choices[0]!.logprobs).toEqual(choice.logprobs);
    // Without logprobs, none.
    expect((await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] })).choices[0]!.logprobs).toBeNull();
  });

  it("logprobs streamed: each content delta carries its own", async () => {
    const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], logprobs: true, stream: true });
    let text = "";
    let tokens = "";
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        expect(choice.logprobs?.content).toHaveLength(1);
        expect(choice.logprobs!.content![0]!.top_logprobs).toEqual([]);
        tokens += choice.logprobs!.content![0]!.token;
      }
    }
    expect(tokens).toBe(text);
  });

  it("top_logprobs without logprobs, or above 20, is a 400 naming it", async () => {
    for (const body of [{ top_logprobs: 2 }, { logprobs: true, top_logprobs: 21 }]) {
      const failure = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], ...body }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("top_logprobs");
    }
  });

  describe("zodResponseFormat with chat.completions.parse", () => {
    const Step = z.object({ explanation: z.string(), output: z.string() });
    interface TreeNode {
      name: string;
      children: TreeNode[];
    }
    const Tree: z.ZodType<TreeNode> = z.object({
      name: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const Answer = z.object({
      steps: z.array(Step),
      final: z.string().nullable(),
      score: z.number().min(0).max(1).nullable().optional(),
      count: z.number().int().nullish(),
      kind: z.enum(["summary", "detail", "other"]),
      shape: z.union([
        z.object({ type: z.literal("circle"), radius: z.number() }),
        z.object({ type: z.literal("square"), side: z.number() }),
        z.object({ type: z.literal("none") }),
      ]),
      contact: z.object({ email: z.string().email(), id: z.string().uuid(), when: z.string().datetime() }).nullable(),
      tags: z.array(z.string().min(3)).nullable(),
      tree: Tree,
    });

    it("every answer parses with the schema, for many prompts (nullable, optional, unions, enums, formats, recursion)", async () => {
      const seen = { nullFinal: 0, stringFinal: 0, shapes: new Set<string>() };
      for (let index = 0; index < 24; index += 1) {
        const completion = await client.chat.completions.parse({
          model,
          messages: [{ role: "user", content: `Question number ${index}` }],
          response_format: zodResponseFormat(Answer, "answer"),
        });
        const parsed = completion.choices[0]!.message.parsed;
        expect(parsed).not.toBeNull();
        expect(Answer.safeParse(parsed).success).toBe(true);
        if (parsed!.final === null) seen.nullFinal += 1;
        else seen.stringFinal += 1;
        seen.shapes.add(parsed!.shape.type);
      }
      // Both branches of a nullable member and every branch of the union turn up.
      expect(seen.nullFinal).toBeGreaterThan(0);
      expect(seen.stringFinal).toBeGreaterThan(0);
      expect(seen.shapes).toEqual(new Set(["circle", "square", "none"]));
    });

    it("tool arguments from a zod schema (strict) parse too", async () => {
      const { zodFunction } = await import("openai/helpers/zod");
      const Lookup = z.object({ city: z.string(), units: z.enum(["metric", "imperial"]).nullable(), days: z.number().int().min(1).max(7) });
      const completion = await client.chat.completions.parse({
        model,
        messages: [{ role: "user", content: "Weather?" }],
        tools: [zodFunction({ name: "lookup", parameters: Lookup })],
        tool_choice: "required",
      });
      const call = completion.choices[0]!.message.tool_calls[0]!;
      expect(call.type === "function" && Lookup.safeParse(call.function.parsed_arguments).success).toBe(true);
    });
  });
});
