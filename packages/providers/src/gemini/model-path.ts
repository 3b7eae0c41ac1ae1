/** `models/{model}`, or the model's own resource path when it names one (`tunedModels/…`); each segment escaped. */
export function modelPath(upstreamModel: string): string {
  const path = upstreamModel.includes("/") ? upstreamModel : `models/${upstreamModel}`;
  return path.split("/").map(encodeURIComponent).join("/");
}
