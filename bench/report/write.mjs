// Writes a results object out: bench/results/latest.json, latest.md, the SVG charts, and the
// summary into bench/README.md between its two markers. A run of some suites only (`--only`)
// goes to bench/results/partial/ instead (not committed), so it never replaces the report of the
// last full or quick run. `node bench/report/write.mjs` re-renders the report from latest.json
// without re-running anything (after a change to the report code).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderCharts } from './charts.mjs'
import { renderMarkdown, summaryTable, targetsTable } from './markdown.mjs'
import { judgeTargets } from './targets.mjs'

const latestDir = new URL('../results/', import.meta.url)
const partialDir = new URL('../results/partial/', import.meta.url)
const readme = new URL('../README.md', import.meta.url)

/** Writes the report; `partial` (a run of some suites) writes to `partialDir` and leaves the README. */
export function writeReport(results, { partial = false } = {}) {
  const resultsDir = partial ? partialDir : latestDir
  mkdirSync(resultsDir, { recursive: true })
  const charts = renderCharts(results)
  for (const [file, svg] of Object.entries(charts)) writeFileSync(new URL(file, resultsDir), svg)
  writeFileSync(new URL('latest.json', resultsDir), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(new URL('latest.md', resultsDir), renderMarkdown(results, charts))

  // The README carries the latest summary between two markers.
  if (!partial && existsSync(readme)) {
    const text = readFileSync(readme, 'utf8')
    const start = '<!-- bench:latest:start -->'
    const end = '<!-- bench:latest:end -->'
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from >= 0 && to > from) {
      const m = results.machine
      const summary = `_${results.mode} run, ${m.date.slice(0, 10)}, ${m.cpuModel} × ${m.availableParallelism}, Node ${m.node}; full report: [results/latest.md](results/latest.md)_\n\n${targetsTable(results)}\n\n${summaryTable(results)}\n`
      writeFileSync(readme, `${text.slice(0, from + start.length)}\n${summary}${text.slice(to)}`)
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = JSON.parse(readFileSync(new URL('latest.json', latestDir), 'utf8'))
  results.targets = judgeTargets(results)
  writeReport(results)
}
