// Starts Debian's redis-server for the Redis comparison on a free loopback port, with no
// persistence (--save '' --appendonly no: the in-memory match for ActorStore), and stops it
// after. When redis-server is not installed the suite reports that and how to install it.
import { spawn, spawnSync } from 'node:child_process'
import net from 'node:net'
import { sleep } from './stats.mjs'

export const INSTALL_HINT = 'apt-get install redis-server (Debian/Ubuntu), then run npm run bench again'

export function findRedisServer() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status !== 0 || path === '') return undefined
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim()
  return { path, version }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

export const REDIS_DURABILITY = "--save '' --appendonly no (no persistence)"

export async function startRedis(path) {
  const port = await freePort()
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
  ]
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  for (let attempt = 0; attempt < 100; attempt++) {
    if (output.includes('Ready to accept connections')) break
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output.slice(-500)}`)
    await sleep(50)
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await Promise.race([exited, sleep(5000)])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}
