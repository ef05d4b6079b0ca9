/**
 * A grouped horizontal bar chart as a standalone SVG string: one panel per metric, one bar per
 * system. Hand-written so the benchmarks need no chart dependency.
 */

export interface Bar {
  label: string;
  /** NaN or undefined draws no bar and prints `n/a` (a system that could not run the case). */
  value: number | undefined;
  note?: string;
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

const ROW = 18;
const LABEL_W = 230;
const BAR_W = 420;
const PAD = 12;
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];

function escapeXml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

function shortNumber(v: number): string {
  if (Math.abs(v) >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function barChartSvg(title: string, panels: readonly Panel[], subtitle?: string): string {
  const parts: string[] = [];
  let y = PAD + 18;
  parts.push(`<text x="${PAD}" y="${y}" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  if (subtitle) {
    y += 16;
    parts.push(`<text x="${PAD}" y="${y}" font-size="11" fill="#555">${escapeXml(subtitle)}</text>`);
  }
  y += 10;
  for (const panel of panels) {
    y += 22;
    parts.push(
      `<text x="${PAD}" y="${y}" font-size="13" font-weight="bold">${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`,
    );
    y += 6;
    const finite = panel.bars
      .map((b) => b.value)
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    const max = Math.max(1e-9, ...finite.map(Math.abs));
    panel.bars.forEach((bar, i) => {
      const top = y + i * ROW;
      parts.push(
        `<text x="${PAD + LABEL_W - 6}" y="${top + 13}" font-size="11" text-anchor="end">${escapeXml(bar.label)}</text>`,
      );
      if (bar.value === undefined || !Number.isFinite(bar.value)) {
        parts.push(
          `<text x="${PAD + LABEL_W + 4}" y="${top + 13}" font-size="11" fill="#999">n/a${bar.note ? ` (${escapeXml(bar.note)})` : ''}</text>`,
        );
        return;
      }
      const w = Math.max(1, (Math.abs(bar.value) / max) * BAR_W);
      const colour = PALETTE[i % PALETTE.length];
      parts.push(
        `<rect x="${PAD + LABEL_W}" y="${top + 3}" width="${w.toFixed(1)}" height="${ROW - 5}" fill="${colour}"/>`,
      );
      parts.push(
        `<text x="${(PAD + LABEL_W + w + 4).toFixed(1)}" y="${top + 13}" font-size="11">${shortNumber(bar.value)}${bar.note ? ` ${escapeXml(bar.note)}` : ''}</text>`,
      );
    });
    y += panel.bars.length * ROW;
  }
  const height = y + PAD;
  const width = PAD * 2 + LABEL_W + BAR_W + 110;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
