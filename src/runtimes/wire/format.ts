import type { ModelReply, ParsedRequest } from './responses.js';

/** One model API as the scripted server speaks it: how to read a request and write a reply. */
export interface WireFormat {
  /** a name for the record, e.g. `openai-responses` */
  name: string;
  /** true when this format serves a request for this method and path */
  accepts(method: string, path: string): boolean;
  parse(body: unknown): ParsedRequest;
  /** status, content type and body of the HTTP answer */
  render(reply: ModelReply, responseId: string): { status: number; contentType: string; body: string };
}
