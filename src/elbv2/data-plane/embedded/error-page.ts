/** The body and status line words ALB answers its own errors with (502, 503, 504, …), shared by both HTTP paths. */
export const statusText: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

export function elbErrorPage(status: number): string {
  const title = `${status} ${statusText[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}
