// Number and table formatting shared by the Markdown report's parts.
export const n = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : 'n/a')
export const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a')
export const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(3)} ms` : 'n/a')
export const mb = (v) => (Number.isFinite(v) ? `${(v / 2 ** 20).toFixed(0)} MiB` : 'n/a')
export const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
export const verdict = (t) =>
  t.met === true ? '**met**' : t.met === false ? '**missed**' : t.pending ? 'not yet measured' : 'not run'
export const OPS = ['insert', 'get', 'update', 'updateVersioned', 'getAll', 'delete']
export const SIZE_LABEL = { small: 'small (~60 B)', large: '~1 KB' }
