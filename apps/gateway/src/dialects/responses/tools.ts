import { BentooError, invalid, isJsonObject, type JsonObject, type OutputFormat, type ToolChoice, type ToolDefinition } from "@bentoo/core";

/**
 * The Responses API's `tools`, `tool_choice` and `text.format`, checked and
 * mapped to Bentoo's terms, with the members the Response object echoes back.
 * Only function tools are served: OpenAI's built-in tools (web search, file
 * search, code interpreter, computer use, MCP, …) run on OpenAI's side, so a
 * request naming them is refused, all of them named.
 * https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
export interface CheckedTools {
  definitions: ToolDefinition[];
  /** The tools as the Response object shows them. */
  echo: JsonObject[];
}

export function checkTools(value: unknown): CheckedTools {
  if (value === undefined || value === null) return { definitions: [], echo: [] };
  if (!Array.isArray(value)) throw invalid("tools", "tools must be a list of tool definitions.");
  const builtIn = value.flatMap((tool: unknown) => (isJsonObject(tool) && tool.type !== "function" ? [String(tool.type).slice(0, 64)] : []));
  if (builtIn.length > 0) {
    throw invalid(
      "tools",
      `tools holds built-in tools Bentoo cannot run: ${[...new Set(builtIn)].join(", ")}. Only function tools ({"type":"function","name":…,"parameters":…}) are served; remove the others.`,
    );
  }
  const definitions: ToolDefinition[] = [];
  const echo: JsonObject[] = [];
  value.forEach((tool: unknown, index) => {
    const param = `tools[${index}]`;
    if (!isJsonObject(tool)) throw invalid(param, `${param} must be a tool definition object.`);
    if (typeof tool.name !== "string" || tool.name === "") throw invalid(`${param}.name`, `${param}.name is required: the function's name.`);
    const parameters = tool.parameters;
    if (parameters !== undefined && parameters !== null && !isJsonObject(parameters))
      throw invalid(`${param}.parameters`, `${param}.parameters must be a JSON Schema object.`);
    if (tool.strict !== undefined && tool.strict !== null && typeof tool.strict !== "boolean")
      throw invalid(`${param}.strict`, `${param}.strict must be true or false.`);
    const description = typeof tool.description === "string" ? tool.description : undefined;
    definitions.push({
      name: tool.name,
      ...(description === undefined ? {} : { description }),
      ...(isJsonObject(parameters) ? { parameters } : {}),
      ...(typeof tool.strict === "boolean" ? { strict: tool.strict } : {}),
    });
    echo.push({ type: "function", name: tool.name, description: description ?? null, parameters: parameters ?? null, strict: tool.strict ?? null });
  });
  return { definitions, echo };
}

export interface CheckedToolChoice {
  choice: ToolChoice | null;
  /** The tools the model may call: all of them, unless `allowed_tools` narrows them. */
  definitions: ToolDefinition[];
  echo: unknown;
}

function requireTool(tools: readonly ToolDefinition[], name: unknown, param: string): string {
  if (typeof name !== "string" || !tools.some((tool) => tool.name === name))
    throw invalid(param, `${param} names "${String(name).slice(0, 64)}", which is not one of the function tools in tools.`);
  return name;
}

/** `tool_choice`: auto, none, required, one function, or `allowed_tools` (the model may call only those, as auto or required). */
export function checkToolChoice(value: unknown, tools: readonly ToolDefinition[]): CheckedToolChoice {
  if (value === undefined || value === null) return { choice: null, definitions: [...tools], echo: "auto" };
  if (value === "auto" || value === "none" || value === "required") return { choice: { type: value }, definitions: [...tools], echo: value };
  if (isJsonObject(value) && value.type === "function") {
    const name = requireTool(tools, value.name, "tool_choice.name");
    return { choice: { type: "tool", name }, definitions: [...tools], echo: { type: "function", name } };
  }
  if (isJsonObject(value) && value.type === "allowed_tools") {
    if (value.mode !== "auto" && value.mode !== "required") throw invalid("tool_choice.mode", 'tool_choice.mode must be "auto" or "required".');
    if (!Array.isArray(value.tools)) throw invalid("tool_choice.tools", "tool_choice.tools must be a list of function tools.");
    const names = new Set(
      value.tools.map((tool: unknown, index) => {
        const param = `tool_choice.tools[${index}]`;
        if (!isJsonObject(tool) || tool.type !== "function") throw invalid(param, `${param} must be a function tool ({"type":"function","name":…}).`);
        return requireTool(tools, tool.name, `${param}.name`);
      }),
    );
    return { choice: { type: value.mode }, definitions: tools.filter((tool) => names.has(tool.name)), echo: value };
  }
  throw invalid(
    "tool_choice",
    'tool_choice must be "auto", "none", "required", {"type":"function","name":…} or {"type":"allowed_tools",…}; built-in tools are not served.',
  );
}

export interface CheckedTextFormat {
  format: OutputFormat;
  /** `text` as the Response object shows it. */
  echo: JsonObject;
}

/** `text.format`: text, json_object, or json_schema (with its name and schema). https://platform.openai.com/docs/guides/structured-outputs */
export function checkTextFormat(value: unknown): CheckedTextFormat {
  if (value === undefined || value === null) return { format: { type: "text" }, echo: { format: { type: "text" } } };
  if (!isJsonObject(value)) throw invalid("text", 'text must be an object, e.g. {"format":{"type":"text"}}.');
  const verbosity = value.verbosity;
  if (verbosity !== undefined && verbosity !== null && verbosity !== "low" && verbosity !== "medium" && verbosity !== "high")
    throw invalid("text.verbosity", 'text.verbosity must be "low", "medium" or "high".');
  const format = value.format ?? { type: "text" };
  const echo = (shown: JsonObject): JsonObject => (typeof verbosity === "string" ? { format: shown, verbosity } : { format: shown });
  if (!isJsonObject(format)) throw invalid("text.format", "text.format must be an object with a type.");
  switch (format.type) {
    case "text":
      return { format: { type: "text" }, echo: echo({ type: "text" }) };
    case "json_object":
      return { format: { type: "json_object" }, echo: echo({ type: "json_object" }) };
    case "json_schema": {
      if (typeof format.name !== "string" || format.name === "")
        throw invalid("text.format.name", "text.format.name is required for json_schema: a name for the schema.");
      if (!isJsonObject(format.schema)) throw invalid("text.format.schema", "text.format.schema is required for json_schema: a JSON Schema object.");
      if (format.strict !== undefined && format.strict !== null && typeof format.strict !== "boolean")
        throw invalid("text.format.strict", "text.format.strict must be true or false.");
      const strict = typeof format.strict === "boolean" ? { strict: format.strict } : {};
      const shown: JsonObject = { type: "json_schema", name: format.name, schema: format.schema, strict: format.strict ?? null };
      if (typeof format.description === "string") shown.description = format.description;
      return { format: { type: "json_schema", name: format.name, schema: format.schema, ...strict }, echo: echo(shown) };
    }
    default:
      throw new BentooError("invalid_request", 'text.format.type must be "text", "json_object" or "json_schema".', { param: "text.format.type" });
  }
}
