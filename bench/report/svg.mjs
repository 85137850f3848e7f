// Hand-written SVG charts: grouped horizontal bars on a log scale (throughput spans 1,000× across
// workloads) and a speed-up line chart for worker scaling. No chart library, plain strings.

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
const escapeXml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

export function compact(value) {
  if (!Number.isFinite(value)) return 'n/a'
  if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 2)} M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e5 ? 0 : 1)} k`
  return value.toFixed(value >= 100 ? 0 : 1)
}

function text(x, y, content, attrs = '') {
  return `<text x="${x}" y="${y}" ${FONT} ${attrs}>${escapeXml(content)}</text>`
}

function legend(series, x, y) {
  return series
    .map(
      (s, i) =>
        `<rect x="${x}" y="${y + i * 18}" width="12" height="12" fill="${s.color}"/>${text(x + 18, y + i * 18 + 10, s.label, 'font-size="12"')}`,
    )
    .join('')
}

/** groups: [{ label, values: { [seriesId]: number | null | string } }]; a string value is drawn as a note (e.g. "not yet measured"). */
export function barChart({ title, subtitle, series, groups }) {
  const labelWidth = 150
  const plotWidth = 560
  const barHeight = 13
  const groupGap = 14
  const top = 58
  const numbers = groups.flatMap((g) => series.map((s) => g.values[s.id])).filter((v) => typeof v === 'number' && v > 0)
  const low = 10 ** Math.floor(Math.log10(Math.min(...numbers)))
  const high = 10 ** Math.ceil(Math.log10(Math.max(...numbers)))
  const scale = (v) => (Math.log10(v / low) / Math.log10(high / low)) * plotWidth
  const groupHeight = series.length * barHeight + groupGap
  const height = top + groups.length * groupHeight + 30
  const width = labelWidth + plotWidth + 280
  const parts = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(10, 22, title, 'font-size="16" font-weight="600"'),
    text(10, 42, subtitle, 'font-size="12" fill="#555"'),
  ]
  for (let decade = low; decade <= high; decade *= 10) {
    const x = labelWidth + scale(decade)
    parts.push(
      `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${height - 26}" stroke="#ddd"/>`,
      text(x, height - 10, compact(decade), 'font-size="11" text-anchor="middle" fill="#555"'),
    )
  }
  groups.forEach((group, g) => {
    const y0 = top + g * groupHeight
    parts.push(
      text(labelWidth - 8, y0 + (series.length * barHeight) / 2 + 4, group.label, 'font-size="12" text-anchor="end"'),
    )
    series.forEach((s, i) => {
      const value = group.values[s.id]
      const y = y0 + i * barHeight
      if (typeof value === 'number' && value > 0) {
        const w = Math.max(1, scale(value))
        parts.push(
          `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight - 2}" fill="${s.color}"><title>${escapeXml(`${s.label}: ${compact(value)}`)}</title></rect>`,
        )
        parts.push(text(labelWidth + w + 4, y + barHeight - 3, compact(value), 'font-size="10" fill="#333"'))
      } else if (typeof value === 'string') {
        parts.push(
          text(
            labelWidth + 4,
            y + barHeight - 3,
            `${s.label}: ${value}`,
            'font-size="10" fill="#999" font-style="italic"',
          ),
        )
      }
    })
  })
  parts.push(legend(series, labelWidth + plotWidth + 60, top))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>\n`
}

/** series: [{ label, color, points: [{ x, y, note }] }]; y is a speed-up over 1 worker, with the ideal y = x dashed. */
export function speedupChart({ title, subtitle, series, maxX }) {
  const left = 60
  const top = 58
  const plotWidth = 420
  const plotHeight = 260
  const maxY = Math.max(maxX, ...series.flatMap((s) => s.points.map((p) => p.y))) * 1.1
  const px = (x) => left + (maxX === 1 ? plotWidth / 2 : ((x - 1) / (maxX - 1)) * plotWidth)
  const py = (y) => top + plotHeight - (y / maxY) * plotHeight
  const width = left + plotWidth + 540
  const height = top + plotHeight + 50
  const parts = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(10, 22, title, 'font-size="16" font-weight="600"'),
    text(10, 42, subtitle, 'font-size="12" fill="#555"'),
  ]
  for (let y = 0; y <= maxY; y += 0.5) {
    parts.push(
      `<line x1="${left}" y1="${py(y)}" x2="${left + plotWidth}" y2="${py(y)}" stroke="#eee"/>`,
      text(left - 8, py(y) + 4, `${y.toFixed(1)}×`, 'font-size="11" text-anchor="end" fill="#555"'),
    )
  }
  for (let x = 1; x <= maxX; x++)
    parts.push(text(px(x), top + plotHeight + 18, `${x}`, 'font-size="11" text-anchor="middle" fill="#555"'))
  parts.push(text(left + plotWidth / 2, top + plotHeight + 38, 'worker threads', 'font-size="12" text-anchor="middle"'))
  parts.push(
    `<line x1="${px(1)}" y1="${py(1)}" x2="${px(maxX)}" y2="${py(maxX)}" stroke="#bbb" stroke-dasharray="5 4"/>`,
  )
  const all = [...series, { label: 'ideal (linear in threads)', color: '#bbb', points: [] }]
  for (const s of series) {
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x)},${py(p.y)}`).join(' ')
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`)
    for (const p of s.points) {
      // Every line starts at 1.0× over one worker: label only the points after it (the legend has the base).
      if (p.x === 1) {
        parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="4" fill="${s.color}"/>`)
        continue
      }
      parts.push(
        `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="4" fill="${s.color}"><title>${escapeXml(`${s.label}, ${p.x} worker(s): ${p.note}`)}</title></circle>`,
      )
      parts.push(text(px(p.x) + 7, py(p.y) - 6, `${p.y.toFixed(2)}× (${p.note})`, `font-size="10" fill="${s.color}"`))
    }
  }
  parts.push(legend(all, left + plotWidth + 140, top))
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>\n`
}
