// One session per agent process: a fresh id at each start and a sequence number per message, so the
// cloud can tell restarts apart and order what one session sent.
import { newMessageId } from '@relais/hardware'

export class Session {
  readonly id = newMessageId().slice(0, 20)
  private seq = 0

  next(): number {
    return this.seq++
  }
}
