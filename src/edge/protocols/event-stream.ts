/**
 * Event streams in answers (`application/vnd.amazon.eventstream`): the body is a run of binary
 * messages, each with `:message-type` (event or exception), `:event-type` or `:exception-type`
 * naming the union member, and that member's structure as a JSON payload; `initial-response` comes
 * first. A handler returns an
 * `EventStreamOutput`; the edge answers 200 and sends its frames as they come, and destroys the
 * source when the client goes away.
 */
import { Readable } from 'node:stream';
import { EventStreamCodec, type MessageHeaders } from '@smithy/core/event-streams';

export const eventStreamContentType = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

const header = (value: string) => ({ type: 'string' as const, value });

function frame(headers: MessageHeaders, payload: unknown): Uint8Array {
  return codec.encode({ headers: { ...headers, ':content-type': header('application/json') }, body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')) });
}

/** One event of the stream's union: `eventFrame('sessionUpdate', { … })`. */
export const eventFrame = (member: string, payload: unknown) => frame({ ':message-type': header('event'), ':event-type': header(member) }, payload);

/**
 * The first frame of an AWS JSON event stream: the output's members other than the stream (none
 * for most operations). botocore (the aws CLI, boto3) refuses a stream that does not start with it.
 */
export const initialResponseFrame = (members: Record<string, unknown> = {}) => eventFrame('initial-response', members);

/** A modelled error that ends the stream (SessionTimeoutException, …). */
export const exceptionFrame = (code: string, message: string) => frame({ ':message-type': header('exception'), ':exception-type': header(code) }, { message });

/** What a handler of a streaming operation returns: the frames, written as the source yields them. */
export class EventStreamOutput {
  constructor(readonly frames: Readable) {}
}
