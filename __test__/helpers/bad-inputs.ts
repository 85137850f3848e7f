// Bad inputs for the error battery, as [label, value] pairs.
import { MAX_KEY_BYTES, MAX_REPLAY_BUFFER_SIZE, MAX_VALUE_BYTES } from 'actor-store'

const cycleObject = () => {
  const value: Record<string, unknown> = { a: 1 }
  value.self = value
  return value
}
const cycleArray = () => {
  const value: unknown[] = [1]
  value.push([value])
  return value
}

export const BAD_KEYS: [string, unknown][] = [
  ['an empty string', ''],
  ['a number', 1],
  ['null', null],
  ['undefined', undefined],
  ['an object', { toString: () => 'users' }],
  ['a String object', new String('users')],
  ['a symbol', Symbol('users')],
  ['a lone high surrogate', '\uD800'],
  ['a lone low surrogate inside text', 'a\uDC00b'],
  ['a reversed surrogate pair', '\uDC00\uD800'],
  [`${MAX_KEY_BYTES + 1} ASCII bytes`, 'k'.repeat(MAX_KEY_BYTES + 1)],
  [`${MAX_KEY_BYTES + 2} UTF-8 bytes in ${MAX_KEY_BYTES / 2 + 1} characters`, 'é'.repeat(MAX_KEY_BYTES / 2 + 1)],
]

export const BAD_VALUES: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['a function', () => () => 1],
  ['a symbol', () => Symbol('v')],
  ['a BigInt', () => 1n],
  ['a nested BigInt', () => ({ a: [1, { b: 2n }] })],
  ['a cyclic object', cycleObject],
  ['a cyclic array', cycleArray],
  [
    'an object with a throwing getter',
    () => ({
      ok: 1,
      get boom() {
        throw new Error('getter')
      },
    }),
  ],
  [
    'a throwing toJSON',
    () => ({
      toJSON() {
        throw new Error('toJSON')
      },
    }),
  ],
  ['a toJSON returning undefined', () => ({ toJSON: () => undefined })],
  [`${MAX_VALUE_BYTES + 1} bytes of JSON`, () => 'x'.repeat(MAX_VALUE_BYTES - 1)],
  [`${MAX_VALUE_BYTES + 2} bytes of JSON in fewer characters`, () => ({ s: 'é'.repeat(MAX_VALUE_BYTES / 2) })],
]

export const BAD_VERSIONS: [string, unknown][] = [
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['2 ** 53', 2 ** 53],
  ["the string '2'", '2'],
  ['undefined', undefined],
  ['null', null],
  ['the bigint 2n', 2n],
  ['an array [2]', [2]],
  ['a Number object', new Number(2)],
]

export const BAD_STORE_OPTIONS: [string, unknown][] = [
  ['a string', 'name'],
  ['a number', 4],
  ['null', null],
  ['an array', []],
  ['a function', () => ({})],
  ['a Map', new Map([['name', 'x']])],
  ['an unknown key', { name: 'x', replay: 4 }],
  ['an empty name', { name: '' }],
  ['a numeric name', { name: 42 }],
  ['a null name', { name: null }],
  ['replayBufferSize 0', { replayBufferSize: 0 }],
  ['replayBufferSize -1', { replayBufferSize: -1 }],
  ['replayBufferSize 1.5', { replayBufferSize: 1.5 }],
  ['replayBufferSize NaN', { replayBufferSize: Number.NaN }],
  ['replayBufferSize Infinity', { replayBufferSize: Number.POSITIVE_INFINITY }],
  [`replayBufferSize ${MAX_REPLAY_BUFFER_SIZE + 1}`, { replayBufferSize: MAX_REPLAY_BUFFER_SIZE + 1 }],
  ["replayBufferSize '4'", { replayBufferSize: '4' }],
  ['replayBufferSize null', { replayBufferSize: null }],
]

export const BAD_SUBSCRIBE_OPTIONS: [string, unknown][] = [
  ["the bare string 'beginning'", 'beginning'],
  ['a number', 1],
  ['null', null],
  ['an array', []],
  ['an unknown key', { start: 'now', from: 0 }],
  ["start 'end'", { start: 'end' }],
  ["start 'BEGINNING'", { start: 'BEGINNING' }],
  ["start ''", { start: '' }],
  ['start null', { start: null }],
  ['start 0', { start: 0 }],
  ['start {}', { start: {} }],
  ['start { sequence: 1 }', { start: { sequence: 1 } }],
  ['afterSequence -1', { start: { afterSequence: -1 } }],
  ['afterSequence 1.5', { start: { afterSequence: 1.5 } }],
  ["afterSequence '3'", { start: { afterSequence: '3' } }],
  ['afterSequence NaN', { start: { afterSequence: Number.NaN } }],
  ['afterSequence Infinity', { start: { afterSequence: Number.POSITIVE_INFINITY } }],
  ['afterSequence beyond the next sequence', { start: { afterSequence: 7 } }],
  ['afterSequence far beyond the next sequence', { start: { afterSequence: 1000 } }],
  ['timestamp NaN', { start: { timestamp: Number.NaN } }],
  ['timestamp -1', { start: { timestamp: -1 } }],
  ['timestamp Infinity', { start: { timestamp: Number.POSITIVE_INFINITY } }],
  ['an invalid Date', { start: { timestamp: new Date('not a date') } }],
  ['a timestamp string', { start: { timestamp: '2020-01-01' } }],
  ['both afterSequence and timestamp', { start: { afterSequence: 1, timestamp: 1 } }],
  ["actorType ''", { actorType: '' }],
  ['a numeric actorType', { actorType: 1 }],
  ['a null actorType', { actorType: null }],
  ['a numeric keyPrefix', { keyPrefix: 1 }],
  ['a null keyPrefix', { keyPrefix: null }],
]
