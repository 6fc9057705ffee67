// Row ids: time-ordered like message ids, so inserts append to indexes instead of scattering.
import { newMessageId } from '@relais/hardware'

export function newId(): string {
  return newMessageId()
}
