/**
 * The container instance attribute that says where the instance's task ports are reached (bridge
 * and host mode targets of its load balancers): the agent sets it at registration, from
 * `berth agent --host-address` or else the local address of its connection to the control plane,
 * which is the address the control plane's host reaches it at.
 */
export const hostAddressAttribute = 'berth.host-address';
