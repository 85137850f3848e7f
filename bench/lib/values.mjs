// The values every backend stores, identical across backends: a small JSON object (~60 bytes
// of JSON) and a ~1 KB one. A pool of a few distinct objects of one shape, so no backend benefits
// from seeing the very same object every time.
const POOL_SIZE = 16

function smallValue(i) {
  return { name: `user-${10000 + i}`, age: 20 + i, active: i % 2 === 0, tags: ['a', 'b'] }
}

function largeValue(i) {
  const items = []
  for (let k = 0; k < 12; k++) items.push({ sku: `sku-${i}-${k}`, qty: k + 1, price: 9.99 + k })
  return {
    name: `order-${10000 + i}`,
    customer: { id: `customer-${i}`, email: `customer${i}@example.com`, tier: 'gold' },
    status: 'open',
    items,
    note: 'x'.repeat(340),
  }
}

export const SIZES = {
  small: { label: 'small (~60 B)', make: smallValue },
  large: { label: '~1 KB', make: largeValue },
}

/** POOL_SIZE values of a size; index with `i & (POOL_SIZE - 1)`. */
export function valuePool(size) {
  return Array.from({ length: POOL_SIZE }, (_, i) => SIZES[size].make(i))
}

export const POOL_MASK = POOL_SIZE - 1

export function jsonBytes(size) {
  return Buffer.byteLength(JSON.stringify(SIZES[size].make(0)))
}

/** Distinct actor ids of one fixed length, so string hashing costs the same for every key. */
export function actorIds(count, prefix = 'actor:') {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(7, '0')}`)
}
