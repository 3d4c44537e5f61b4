// Renders a tmux `capture-pane -e` grid (text with SGR colour codes) to SVG, one cell per column.
// Written here because the npm renderer we tried positions runs by measured text width and breaks
// the alignment of box-drawing rails; a terminal grid only needs x = column × cell width.

const palette = [
  '#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4',
  '#5c6370', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#ffffff',
];
const FG = '#dcdfe4';
const BG = '#1e1e1e';

function xterm256(n) {
  if (n < 16) return palette[n];
  if (n >= 232) { const v = 8 + (n - 232) * 10; return `rgb(${v},${v},${v})`; }
  const i = n - 16; const c = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

function applySgr(style, params) {
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const n = p[i];
    if (n === 0) Object.assign(style, { fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false });
    else if (n === 1) style.bold = true;
    else if (n === 2) style.dim = true;
    else if (n === 3) style.italic = true;
    else if (n === 4) style.underline = true;
    else if (n === 7) style.inverse = true;
    else if (n === 22) { style.bold = false; style.dim = false; }
    else if (n === 23) style.italic = false;
    else if (n === 24) style.underline = false;
    else if (n === 27) style.inverse = false;
    else if (n >= 30 && n <= 37) style.fg = palette[n - 30];
    else if (n >= 90 && n <= 97) style.fg = palette[n - 90 + 8];
    else if (n === 39) style.fg = undefined;
    else if (n >= 40 && n <= 47) style.bg = palette[n - 40];
    else if (n >= 100 && n <= 107) style.bg = palette[n - 100 + 8];
    else if (n === 49) style.bg = undefined;
    else if ((n === 38 || n === 48) && p[i + 1] === 5) { style[n === 38 ? 'fg' : 'bg'] = xterm256(p[i + 2]); i += 2; }
    else if ((n === 38 || n === 48) && p[i + 1] === 2) { style[n === 38 ? 'fg' : 'bg'] = `rgb(${p[i + 2]},${p[i + 3]},${p[i + 4]})`; i += 4; }
  }
}

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Parses one line into cells {ch, style}. */
function cells(line) {
  const out = [];
  const style = {};
  const re = /\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|([\s\S])/gu;
  for (const m of line.matchAll(re)) {
    if (m[1] !== undefined) applySgr(style, m[1] === '' ? [] : m[1].split(';').map(Number));
    else if (m[2] !== undefined) out.push({ ch: m[2], style: { ...style } });
  }
  return out;
}

export function ansiToSvg(text, { cols = 80, rows = 24, cellWidth = 8.4, lineHeight = 18, fontSize = 14, pad = 12, title = '' } = {}) {
  const lines = text.replace(/\n$/, '').split('\n').slice(0, rows);
  const width = Math.ceil(cols * cellWidth + pad * 2);
  const bar = title ? 28 : 0;
  const height = Math.ceil(rows * lineHeight + pad * 2 + bar);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" rx="6" fill="${BG}"/>`,
  ];
  if (title) {
    parts.push(`<rect width="100%" height="${bar}" rx="6" fill="#2c2f36"/>`);
    for (const [i, c] of ['#ff5f56', '#ffbd2e', '#27c93f'].entries()) parts.push(`<circle cx="${16 + i * 18}" cy="14" r="5.5" fill="${c}"/>`);
    parts.push(`<text x="${width / 2}" y="18" fill="#9da5b4" font-family="DejaVu Sans, sans-serif" font-size="12" text-anchor="middle">${escapeXml(title)}</text>`);
  }
  lines.forEach((line, row) => {
    const y = bar + pad + row * lineHeight;
    const cs = cells(line);
    let col = 0;
    while (col < cs.length) {
      const start = col;
      const key = JSON.stringify(cs[col].style);
      let run = '';
      while (col < cs.length && JSON.stringify(cs[col].style) === key) run += cs[col++].ch;
      const s = cs[start].style;
      let fg = s.fg ?? FG; let bg = s.bg;
      if (s.inverse) { [fg, bg] = [bg ?? BG, fg]; }
      const x = pad + start * cellWidth;
      if (bg) parts.push(`<rect x="${x}" y="${y}" width="${run.length * cellWidth}" height="${lineHeight}" fill="${bg}"/>`);
      if (run.trim() === '') continue;
      // Each character at its own cell: glyph widths in the font never shift the grid.
      const xs = [...run].map((_, i) => (x + i * cellWidth).toFixed(1)).join(' ');
      const attrs = [`fill="${fg}"`, s.bold ? 'font-weight="bold"' : '', s.dim ? 'fill-opacity="0.6"' : '', s.italic ? 'font-style="italic"' : '', s.underline ? 'text-decoration="underline"' : ''].filter(Boolean).join(' ');
      parts.push(`<text x="${xs}" y="${y + lineHeight * 0.78}" ${attrs}>${escapeXml(run)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n').replace('<svg ', `<svg font-family="DejaVu Sans Mono, monospace" font-size="${fontSize}" `);
}
