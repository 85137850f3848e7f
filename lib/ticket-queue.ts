// Async writes waiting for their answers, by ticket. Tickets are handed out in increasing order
// and answered in that order, so an array indexed from the oldest unanswered ticket does the
// job of a Map without hashing on either side of every write. A ticket that is never added
// (its call threw) leaves a hole; an answer out of order is still found, by index.

/** Items by increasing ticket; `take` removes one. */
export class TicketQueue<T> {
  #items: (T | undefined)[] = []
  /** The ticket of `#items[0]`. */
  #base = 0
  /** The index of the oldest item not yet taken. */
  #head = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  /** Adds `item` under `ticket`, which is greater than every ticket added before. */
  add(ticket: number, item: T): void {
    if (this.#size === 0) {
      // Reuses the array: a caller that awaits each write drains the queue on every write.
      this.#items.length = 0
      this.#base = ticket
      this.#head = 0
    }
    const index = ticket - this.#base
    while (this.#items.length < index) this.#items.push(undefined)
    this.#items.push(item)
    this.#size++
  }

  /** Removes and returns the item under `ticket`, or undefined if there is none. */
  take(ticket: number): T | undefined {
    const index = ticket - this.#base
    if (index < this.#head || index >= this.#items.length) return undefined
    const item = this.#items[index]
    if (item === undefined) return undefined
    this.#items[index] = undefined
    this.#size--
    if (index === this.#head) this.#advance()
    return item
  }

  /** Moves the head past taken items and holes; drops the taken prefix once it is most of the array. */
  #advance(): void {
    const items = this.#items
    let head = this.#head
    while (head < items.length && items[head] === undefined) head++
    if (head > 1024 && head * 2 > items.length) {
      this.#items = items.slice(head)
      this.#base += head
      head = 0
    }
    this.#head = head
  }
}
