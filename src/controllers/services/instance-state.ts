/** What the service scheduler's decisions need to know of a container instance. */
export interface InstanceState {
  status: string;
  /** The agent has been disconnected past the grace period. */
  lost: boolean;
  /** Its attributes, for scale-in to keep a spread over one of them. */
  attributes?: readonly { name?: string; value?: string }[];
}
