package main_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	main "github.com/caseledger/caseledger/cmd/loadgen"
)

func TestReadResponseFramesEachAnswer(t *testing.T) {
	long := strings.Repeat("x", main.MaxKept+100)
	tests := []struct {
		name     string
		raw      string
		status   int
		body     string // kept: only for a status outside 2xx
		keep     bool
		wantErr  bool
		trailing string // what must be left for the next answer
	}{
		{name: "content length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", status: 200, keep: true},
		{name: "chunked with a trailer", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
			status: 200, keep: true},
		{name: "an error's body is kept", raw: "HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\nno a case", status: 404, body: "no a case", keep: true},
		{name: "a long error body is cut", raw: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + fmt.Sprint(len(long)) + "\r\n\r\n" + long,
			status: 500, body: long[:main.MaxKept], keep: true},
		{name: "connection close", raw: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", status: 200},
		{name: "no framing runs to the end", raw: "HTTP/1.1 503 Service Unavailable\r\n\r\nbusy", status: 503, body: "busy"},
		{name: "the next answer is left in place", raw: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n",
			status: 204, keep: true, trailing: "HTTP/1.1 200 OK\r\n"},
		{name: "a truncated body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", status: 200, wantErr: true},
		{name: "a truncated chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", status: 200, wantErr: true},
		{name: "a chunk without its CRLF", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", status: 200, wantErr: true},
		{name: "not HTTP/1.1", raw: "SSH-2.0-OpenSSH\r\n\r\n", wantErr: true},
		{name: "a header without a colon", raw: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", status: 200, wantErr: true},
		{name: "a bad length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", status: 200, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.raw))
			status, body, keep, err := main.ReadResponse(r)
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("error %v, want an error: %v", err, tt.wantErr)
			}
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if tt.wantErr {
				if keep {
					t.Errorf("keep after an error, want the connection closed")
				}
				return
			}
			if string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if keep != tt.keep {
				t.Errorf("keep %v, want %v", keep, tt.keep)
			}
			if rest, _ := io.ReadAll(r); string(rest) != tt.trailing {
				t.Errorf("left %q, want %q", rest, tt.trailing)
			}
		})
	}
}

func TestTheClientSendsWhatTheServerNeedsOnOneConnection(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got := fmt.Sprintf("%s %s auth=%q key=%q type=%q body=%q", r.Method, r.URL.Path, r.Header.Get("Authorization"),
			r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type"), body)
		if r.URL.Path == "/big" {
			// Past net/http's buffer, so the answer is chunked.
			got += strings.Repeat(".", 8192)
		}
		w.WriteHeader(http.StatusTeapot) // not 2xx, so the client keeps the body
		io.WriteString(w, got)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := main.NewConn(strings.TrimPrefix(srv.URL, "http://"))
	defer c.Close()
	tests := []struct {
		name              string
		method, path, key string
		body              []byte
		want              string // the start of what the server saw
	}{
		{"a query", http.MethodGet, "/v1/cases/1", "", nil, `GET /v1/cases/1 auth="Bearer tok" key="" type="" body=""`},
		{"a chunked answer", http.MethodGet, "/big", "", nil, `GET /big auth="Bearer tok" key="" type="" body=""....`},
		{"a command", http.MethodPost, "/v1/cases/1/items/a/steps", "k-1", []byte(`{"step":"承办"}`),
			`POST /v1/cases/1/items/a/steps auth="Bearer tok" key="k-1" type="application/json" body="{\"step\":\"承办\"}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := c.Do(tt.method, tt.path, "tok", tt.body, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if status != http.StatusTeapot {
				t.Errorf("status %d, want %d", status, http.StatusTeapot)
			}
			if got := string(body); !strings.HasPrefix(got, tt.want) || len(got) > main.MaxKept {
				t.Errorf("the server saw %q\nwant %q, at most %d bytes of it", got, tt.want, main.MaxKept)
			}
		})
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections, want 1 kept alive", got)
	}
}
