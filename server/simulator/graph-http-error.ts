// An error the simulated tenant answers the way Graph does: status + `{"error":{"code","message","innerError":{…}}}`.
// Services throw it; the app's error handler renders it (graph-error-body.ts). Messages never include request
// bodies, so a TAP can never be echoed back.
export class GraphHttpError extends Error {
  readonly status: number;
  readonly graphCode: string;
  readonly headers: Record<string, string>;
  constructor(status: number, graphCode: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'GraphHttpError';
    this.status = status;
    this.graphCode = graphCode;
    this.headers = headers;
  }
}

export const notFound = (id: string) =>
  new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export const badRequest = (message: string, code = 'BadRequest') => new GraphHttpError(400, code, message);
