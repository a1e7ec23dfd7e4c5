/** An HTTP answer with its body parsed as JSON (undefined when empty). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Calls `url` with a JSON body (when given) and `headers`, asking for JSON back. */
export async function callJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
