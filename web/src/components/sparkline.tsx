// A small time-series chart in inline SVG: the last samples of one figure, scaled to its own range.
export function Sparkline({ values, label, width = 240, height = 48 }: { values: number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((value, index) => `${(index * step).toFixed(1)},${(height - 2 - ((value - min) / span) * (height - 4)).toFixed(1)}`);
  const last = values[values.length - 1];
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${label}: last ${values.length} seconds, now ${last ?? 'unknown'}, peak ${max}`}>
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} className="sparkline-axis" />
      {points.length > 1 && <polygon points={`0,${height} ${points.join(' ')} ${((values.length - 1) * step).toFixed(1)},${height}`} className="sparkline-area" />}
      {points.length > 1 && <polyline points={points.join(' ')} className="sparkline-line" />}
    </svg>
  );
}
