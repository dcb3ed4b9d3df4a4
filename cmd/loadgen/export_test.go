package main

import "bufio"

// ReadResponse is readResponse for the external tests.
func ReadResponse(r *bufio.Reader) (status int, body []byte, keep bool, err error) {
	return readResponse(r)
}

// Conn is a worker's connection for the external tests.
type Conn struct{ c *conn }

func NewConn(addr string) *Conn { return &Conn{c: newConn(addr)} }

// Do sends one request as a worker does.
func (c *Conn) Do(method, path, token string, body []byte, idempotencyKey string) (int, []byte, error) {
	return c.c.do(request{method: method, path: path, token: token, body: body, idempotencyKey: idempotencyKey})
}

func (c *Conn) Close() { c.c.close() }

// MaxKept is how much of a failed answer's body is kept.
const MaxKept = maxKept
