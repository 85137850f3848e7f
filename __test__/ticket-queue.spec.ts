// The queue of async writes awaiting answers: every item comes back once under its own ticket,
// whatever the order of answers, across holes left by tickets never added, and after the array
// is compacted or the queue runs empty.
import test from 'ava'
import fc from 'fast-check'
import { TicketQueue } from '../lib/ticket-queue'

test('items come back once, in order or not, with holes for tickets never added', (t) => {
  const queue = new TicketQueue<string>()
  queue.add(0, 'a')
  queue.add(2, 'c') // ticket 1 threw before it was queued
  queue.add(3, 'd')
  t.is(queue.size, 3)
  t.is(queue.take(1), undefined)
  t.is(queue.take(3), 'd')
  t.is(queue.take(3), undefined)
  t.is(queue.take(0), 'a')
  t.is(queue.take(2), 'c')
  t.is(queue.size, 0)
  t.is(queue.take(4), undefined)
  queue.add(9, 'j')
  t.is(queue.take(9), 'j')
})

test('matches a Map under random adds, skipped tickets and takes in any order', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(5000)), { minLength: 1, maxLength: 4000 }), (steps) => {
        const queue = new TicketQueue<number>()
        const model = new Map<number, number>()
        let next = 0
        for (const [action, pick] of steps) {
          if (action === 0) next++ // a ticket whose call threw
          if (action <= 1) {
            model.set(next, next * 10)
            queue.add(next, next * 10)
            next++
          } else {
            // Mostly the oldest ticket (answers come in order), sometimes any ticket at all.
            const keys = [...model.keys()]
            const ticket = action === 2 && keys.length > 0 ? keys[0] : pick % (next + 1)
            if (queue.take(ticket) !== model.get(ticket)) return false
            model.delete(ticket)
          }
          if (queue.size !== model.size) return false
        }
        for (const [ticket, item] of model) if (queue.take(ticket) !== item) return false
        return queue.size === 0
      }),
    ),
  )
})

test('256 in flight over 100,000 in-order answers: every item comes back (the array is compacted on the way)', (t) => {
  const queue = new TicketQueue<number>()
  for (let ticket = 0; ticket < 100_000; ticket++) {
    queue.add(ticket, ticket)
    if (ticket >= 256) t.is(queue.take(ticket - 256), ticket - 256)
  }
  t.is(queue.size, 256)
  for (let ticket = 100_000 - 256; ticket < 100_000; ticket++) t.is(queue.take(ticket), ticket)
  t.is(queue.size, 0)
})
