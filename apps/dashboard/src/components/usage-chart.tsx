import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

interface UsageChartProps {
  /** Bucket starts, epoch ms. */
  timestamps: readonly number[];
  values: readonly number[];
  seriesLabel: string;
  format: (value: number) => string;
  granularity: "hour" | "day";
  /** A sentence describing the chart for screen readers (the canvas itself says nothing). */
  summary: string;
  height?: number;
}

function readColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === "" ? fallback : value;
}

function tickLabel(granularity: "hour" | "day", seconds: number): string {
  const date = new Date(seconds * 1000);
  return granularity === "hour" ? date.toLocaleTimeString("en-US", { hour: "numeric" }) : date.toLocaleDateString("en-US", { month: "short", day: "numeric" });
}

/** A bar chart of one usage metric over time, drawn by uPlot on a canvas sized to its container. */
export function UsageChart({ timestamps, values, seriesLabel, format, granularity, summary, height = 220 }: UsageChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const accent = readColor("--accent", "#4f46e5");
    const muted = readColor("--text-muted", "#6b7280");
    const grid = readColor("--border", "#e5e7eb");
    const bars = uPlot.paths.bars?.({ size: [0.7, 48], gap: 1 });
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_self, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { stroke: muted, grid: { show: false }, ticks: { stroke: grid }, values: (_self, splits) => splits.map((split) => tickLabel(granularity, split)) },
        { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { show: false }, size: 64, values: (_self, splits) => splits.map((split) => format(split)) },
      ],
      series: [
        {},
        { label: seriesLabel, stroke: accent, fill: `${accent}cc`, width: 0, ...(bars === undefined ? {} : { paths: bars }), points: { show: false } },
      ],
    };
    const chart = new uPlot(options, [timestamps.map((at) => at / 1000), [...values]], element);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(240, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [timestamps, values, seriesLabel, format, granularity, height]);

  return <div className="usage-chart" ref={container} role="img" aria-label={summary} />;
}
