/**
 * The request options that send a file as the raw request body of an operation whose OpenAPI
 * document declares one (`format: binary`, typed `Blob` in the client): the file itself, not
 * JSON-encoded (openapi-fetch would stringify it otherwise), with its media type. A `File` is a
 * `Blob`; its bytes stream from disk as fetch sends them, never read into the page.
 */
export function rawBody<B extends Blob>(
  file: B,
  mediaType: string = file.type === '' ? 'application/octet-stream' : file.type,
): { body: B; bodySerializer: (body: unknown) => Blob; headers: { 'content-type': string } } {
  return {
    body: file,
    bodySerializer: (body: unknown) => body as Blob,
    headers: { 'content-type': mediaType },
  };
}
