/**
 * The bodies of the errors the load balancer answers itself, as ALB words them. haproxy's own
 * pages would otherwise tell the client "503 Service Unavailable" under a 502 status line.
 */

function page(title: string): string {
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** A target refused or reset the connection. */
export const badGatewayBody = page('502 Bad Gateway');

/** No target to send the request to. */
export const serviceUnavailableBody = page('503 Service Temporarily Unavailable');
