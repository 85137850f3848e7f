// `npm install` (prepare) and `npm run build`: compile the TypeScript API, then build the native
// addon from source unless a binary for this platform already loads (a prebuilt package or an
// earlier build). `--force-native` always rebuilds it (cargo makes that cheap when nothing changed).
import { execFileSync, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const forceNative = process.argv.includes('--force-native')
const bin = (name) => join(root, 'node_modules', '.bin', name)

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: 'inherit' })
}

function nativeLoads() {
  const probe = spawnSync(process.execPath, ['-e', "require('./native.js')"], { cwd: root, stdio: 'ignore' })
  return probe.status === 0
}

function hostTriple() {
  const info = spawnSync('rustc', ['-vV'], { encoding: 'utf8' })
  if (info.status !== 0) return undefined
  return /^host: (.+)$/m.exec(info.stdout)?.[1]
}

run(bin('tsc'), ['-p', 'tsconfig.build.json'])

if (!forceNative && nativeLoads()) process.exit(0)

const triple = hostTriple()
if (triple === undefined) {
  const message =
    'actor-store: no prebuilt native binary for this platform and no Rust toolchain to build one. ' +
    'JsActorStore works; for ActorStore install Rust (https://rustup.rs) and run `npm run build`.'
  if (forceNative) throw new Error(message)
  console.warn(message)
  process.exit(0)
}
run(bin('napi'), [
  'build',
  '--platform',
  '--release',
  '--js',
  'native.js',
  '--dts',
  'native.d.ts',
  '--output-dir',
  '.',
  '--target',
  triple,
])
