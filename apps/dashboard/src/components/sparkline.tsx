/** A tiny inline SVG trend line (decorative: the numbers beside it carry the meaning). */
export function Sparkline({ values, width = 96, height = 24 }: { values: readonly number[]; width?: number; height?: number }) {
  if (values.length < 2) return null;
  const max = Math.max(1, ...values);
  const step = width / (values.length - 1);
  const points = values.map((value, index) => `${(index * step).toFixed(1)},${(height - 2 - (value / max) * (height - 4)).toFixed(1)}`);
  const area = `0,${height} ${points.join(" ")} ${width},${height}`;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
      <polygon points={area} className="sparkline-area" />
      <polyline points={points.join(" ")} className="sparkline-line" fill="none" />
    </svg>
  );
}
