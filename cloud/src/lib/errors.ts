// Errors with stable codes: HTTP responses, CLI output and acks carry the code, never a stack.
export class RelaisError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'RelaisError'
  }
}

export const notFound = (what: string) => new RelaisError('not_found', `${what} not found`, 404)
export const conflict = (what: string) => new RelaisError('conflict', what, 409)
export const invalid = (what: string) => new RelaisError('invalid_request', what, 400)
