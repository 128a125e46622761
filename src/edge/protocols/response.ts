/** What a protocol envelope hands back to the edge to send: status, content type, extra headers and body bytes. */
export interface ProtocolResponse {
  statusCode: number;
  contentType: string;
  body: string | Uint8Array;
  /** Headers the protocol needs besides content-type and the request id (x-amzn-errortype, smithy-protocol). */
  headers?: Record<string, string>;
  /** The AWS error code an error response carries (for Berth's own telemetry). */
  errorCode?: string;
}
