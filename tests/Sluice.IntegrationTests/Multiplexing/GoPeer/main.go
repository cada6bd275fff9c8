// yamux-peer: the hashicorp/yamux side of Sluice's multiplexer interop tests
// (tests/Sluice.IntegrationTests/Multiplexing). Built by the tests with
// GO111MODULE=off GOPATH=/usr/share/gocode go build (Debian golang-github-hashicorp-yamux-dev).
//
// It dials or listens on loopback, runs a yamux client or server session, and reports on
// stdout, one line per event, what the test asserts on.
//
// Streams it accepts start with a command byte:
//   'E' echo every byte until EOF, then close (FIN)
//   'H' read until EOF, answer the hex SHA-256 of what was read, then close
//   'R' report "reading <id>", read until an error; report "reset <id>" when it is a reset
// With -open N it opens N streams itself, each sending 'E' and -size checksummed bytes while
// reading the echo back, and reports "ok <i>" or "fail <i> <why>".
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

var out = struct {
	sync.Mutex
	w *bufio.Writer
}{w: bufio.NewWriter(os.Stdout)}

func report(format string, args ...interface{}) {
	out.Lock()
	defer out.Unlock()
	fmt.Fprintf(out.w, format+"\n", args...)
	out.w.Flush()
}

func main() {
	dial := flag.String("dial", "", "address to dial")
	listen := flag.String("listen", "", "address to listen on (one connection)")
	role := flag.String("role", "server", "yamux role: client or server")
	open := flag.Int("open", 0, "streams to open and echo through the peer")
	size := flag.Int("size", 1<<20, "bytes per opened stream")
	backlog := flag.Int("backlog", 256, "yamux accept backlog")
	accept := flag.Bool("accept", true, "accept streams (false: hold them unaccepted)")
	window := flag.Int("window", 256*1024, "yamux MaxStreamWindowSize")
	goAway := flag.Bool("goaway", false, "send go-away after the opened streams are done")
	flag.Parse()

	var conn net.Conn
	var err error
	if *listen != "" {
		l, lerr := net.Listen("tcp", *listen)
		if lerr != nil {
			report("error listen %v", lerr)
			os.Exit(1)
		}
		report("listening %s", l.Addr().String())
		conn, err = l.Accept()
		l.Close()
	} else {
		conn, err = net.Dial("tcp", *dial)
	}
	if err != nil {
		report("error connect %v", err)
		os.Exit(1)
	}

	config := yamux.DefaultConfig()
	config.AcceptBacklog = *backlog
	config.MaxStreamWindowSize = uint32(*window)
	config.LogOutput = os.Stderr
	var session *yamux.Session
	if *role == "client" {
		session, err = yamux.Client(conn, config)
	} else {
		session, err = yamux.Server(conn, config)
	}
	if err != nil {
		report("error session %v", err)
		os.Exit(1)
	}
	report("connected")

	if *accept {
		go acceptLoop(session)
	}

	if *open > 0 {
		rtt, perr := session.Ping()
		if perr != nil {
			report("error ping %v", perr)
		} else {
			report("ping %d", rtt.Nanoseconds())
		}
		var wg sync.WaitGroup
		for i := 0; i < *open; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if err := echoThrough(session, i, *size); err != nil {
					report("fail %d %v", i, err)
				} else {
					report("ok %d", i)
				}
			}(i)
		}
		wg.Wait()
		report("done")
		if *goAway {
			session.GoAway()
			report("goaway")
		}
	}

	// Run until the test closes stdin or the session ends.
	go func() {
		io.Copy(io.Discard, os.Stdin)
		session.Close()
	}()
	<-session.CloseChan()
	report("closed")
}

func acceptLoop(session *yamux.Session) {
	for {
		stream, err := session.AcceptStream()
		if err != nil {
			return
		}
		go serve(stream)
	}
}

func serve(stream *yamux.Stream) {
	command := make([]byte, 1)
	if _, err := io.ReadFull(stream, command); err != nil {
		report("error command %d %v", stream.StreamID(), err)
		stream.Close()
		return
	}
	switch command[0] {
	case 'E':
		// Echo while reading; close only after EOF (the packaged yamux returns EOF early to a
		// read after a local close).
		n, err := io.Copy(stream, stream)
		if err != nil {
			report("error echo %d %v", stream.StreamID(), err)
		} else {
			report("echoed %d %d", stream.StreamID(), n)
		}
		stream.Close()
	case 'H':
		h := sha256.New()
		n, err := io.Copy(h, stream)
		if err != nil {
			report("error hash %d %v", stream.StreamID(), err)
			stream.Close()
			return
		}
		report("hashed %d %d", stream.StreamID(), n)
		stream.Write([]byte(hex.EncodeToString(h.Sum(nil))))
		stream.Close()
	case 'R':
		report("reading %d", stream.StreamID())
		_, err := io.Copy(io.Discard, stream)
		if err == yamux.ErrConnectionReset {
			report("reset %d", stream.StreamID())
		} else {
			report("error noreset %d %v", stream.StreamID(), err)
		}
	default:
		report("error unknown-command %d %d", stream.StreamID(), command[0])
		stream.Close()
	}
}

// echoThrough sends 'E' and size pseudo-random bytes on a new stream while reading the echo,
// compares checksums, then closes (after reading everything, see serve).
func echoThrough(session *yamux.Session, i int, size int) error {
	stream, err := session.OpenStream()
	if err != nil {
		return err
	}
	defer stream.Close()
	data := make([]byte, size)
	rand.New(rand.NewSource(int64(i))).Read(data)
	sent := sha256.Sum256(data)

	writeErr := make(chan error, 1)
	go func() {
		if _, err := stream.Write([]byte{'E'}); err != nil {
			writeErr <- err
			return
		}
		_, err := stream.Write(data)
		writeErr <- err
	}()

	h := sha256.New()
	stream.SetReadDeadline(time.Now().Add(120 * time.Second))
	n, err := io.CopyN(h, stream, int64(size))
	if err != nil {
		return fmt.Errorf("read %d of %d: %v", n, size, err)
	}
	if err := <-writeErr; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if !bytes.Equal(h.Sum(nil), sent[:]) {
		return fmt.Errorf("checksum mismatch")
	}
	return nil
}
