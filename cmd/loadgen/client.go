package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection of a worker, which writes each
// request with one write and reads the answer on the worker's goroutine.
// net/http's client costs more: a reader and a writer goroutine per
// connection that every request passes through, and a request, a header map
// and a response per call; in the status phase it took a quarter of the
// process's CPU. The goals count the load generator's CPU ("load generator
// included"), so it is kept as lean as wrk's. It speaks just what the
// server answers: a status line, headers, and a body framed by
// Content-Length or chunked; a "Connection: close" or any error closes it,
// and the next request dials again.
type conn struct {
	addr string
	host string // the Host header's value
	c    net.Conn
	r    *bufio.Reader
	w    []byte // the request being written, reused
}

// requestTimeout bounds one request, so a phase ends even if the server
// stops answering.
const requestTimeout = 30 * time.Second

// maxKept is how much of a failed answer's body is kept for the report.
const maxKept = 512

func newConn(addr string) *conn { return &conn{addr: addr, host: addr} }

// do sends req and reads the whole answer. It returns the status and, for
// a status outside 2xx, the start of the body.
func (c *conn) do(req request) (int, []byte, error) {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, requestTimeout)
		if err != nil {
			return 0, nil, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 16<<10)
	}
	status, body, keep, err := c.roundTrip(req)
	if err != nil || !keep {
		c.close()
	}
	return status, body, err
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

func (c *conn) roundTrip(req request) (status int, body []byte, keep bool, err error) {
	if err := c.c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return 0, nil, false, err
	}
	w := append(c.w[:0], req.method...)
	w = append(w, ' ')
	w = append(w, req.path...)
	w = append(w, " HTTP/1.1\r\nHost: "...)
	w = append(w, c.host...)
	w = append(w, "\r\nAuthorization: Bearer "...)
	w = append(w, req.token...)
	if req.idempotencyKey != "" {
		w = append(w, "\r\nIdempotency-Key: "...)
		w = append(w, req.idempotencyKey...)
	}
	if req.body != nil {
		w = append(w, "\r\nContent-Type: application/json\r\nContent-Length: "...)
		w = strconv.AppendInt(w, int64(len(req.body)), 10)
	}
	w = append(w, "\r\n\r\n"...)
	w = append(w, req.body...)
	c.w = w
	if _, err := c.c.Write(w); err != nil {
		return 0, nil, false, err
	}
	return readResponse(c.r)
}

// readResponse reads one answer from r: its status, the start of its body
// when the status is not 2xx, and whether the connection stays open.
func readResponse(r *bufio.Reader) (status int, body []byte, keep bool, err error) {
	line, err := readLine(r)
	if err != nil {
		return 0, nil, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, false, fmt.Errorf("malformed status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, fmt.Errorf("malformed status line %q", line)
	}
	length, chunked, keep := int64(-1), false, true
	for {
		line, err := readLine(r)
		if err != nil {
			return status, nil, false, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return status, nil, false, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return status, nil, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	var kept *keptBody
	if status < 200 || status > 299 {
		kept = &keptBody{}
	}
	switch {
	case chunked:
		err = readChunked(r, kept)
	case length >= 0:
		err = discard(r, length, kept)
	default:
		// No framing: the body runs to the end of the connection.
		_, err = io.Copy(kept.writer(), r)
		keep = false
	}
	if kept != nil {
		body = kept.b
	}
	return status, body, keep && err == nil, err
}

// readChunked reads a chunked body and its trailer.
func readChunked(r *bufio.Reader, kept *keptBody) error {
	for {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("malformed chunk size %q", line)
		}
		if n == 0 {
			for {
				line, err := readLine(r)
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if err := discard(r, n, kept); err != nil {
			return err
		}
		if line, err := readLine(r); err != nil || len(line) != 0 {
			return errors.Join(err, errors.New("a chunk does not end with CRLF"))
		}
	}
}

// discard reads n bytes of body, keeping what kept still wants.
func discard(r *bufio.Reader, n int64, kept *keptBody) error {
	_, err := io.CopyN(kept.writer(), r, n)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readLine reads a line without its CRLF; the slice is valid until the
// next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return bytes.TrimSuffix(line[:len(line)-1], []byte("\r")), nil
}

// keptBody keeps the first maxKept bytes written to it; a nil one keeps
// nothing.
type keptBody struct{ b []byte }

func (k *keptBody) writer() io.Writer {
	if k == nil {
		return io.Discard
	}
	return k
}

func (k *keptBody) Write(p []byte) (int, error) {
	if room := maxKept - len(k.b); room > 0 {
		k.b = append(k.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
