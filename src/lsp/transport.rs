//! The server's stdin and stdout, framed as the protocol frames them, with a bound on a
//! message's size: `lsp-server`'s own transport allocates whatever a `Content-Length`
//! says, so a stray or hostile header could take all the memory there is.

use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

use crossbeam_channel::bounded;
use lsp_server::{Connection, Message};

/// The largest message taken: a file's text (at most 10 MB) escaped as JSON, with room.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// The threads that move messages between the connection and stdin and stdout.
pub struct Threads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Why the input stopped, when it stopped on an error: a server that could not go
    /// on says that rather than that its channel closed. It does not wait for input.
    pub fn input_error(self) -> Option<io::Error> {
        if !self.reader.is_finished() {
            return None;
        }
        self.reader.join().ok()?.err()
    }

    pub fn join(self) -> io::Result<()> {
        let joined = |h: JoinHandle<io::Result<()>>| {
            h.join()
                .unwrap_or_else(|_| Err(io::Error::other("a transport thread panicked")))
        };
        let read = joined(self.reader);
        joined(self.writer)?;
        read
    }
}

/// A connection over stdin and stdout.
pub fn stdio() -> (Connection, Threads) {
    let (to_server, receiver) = bounded::<Message>(0);
    let (sender, from_server) = bounded::<Message>(0);
    let reader = std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Some(msg) = read(&mut input)? {
            let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
            if to_server.send(msg).is_err() || exit {
                break;
            }
        }
        Ok(())
    });
    let writer = std::thread::spawn(move || {
        let stdout = io::stdout();
        let mut output = stdout.lock();
        for msg in from_server {
            msg.write(&mut output)?;
            output.flush()?;
        }
        Ok(())
    });
    (Connection { sender, receiver }, Threads { reader, writer })
}

/// The next message, `None` at the end of the input; an error for a message that is
/// not one, or larger than [`MAX_MESSAGE`].
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Message>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        // A header line is short: a longer one is not the protocol.
        if input.by_ref().take(1024).read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.ends_with('\n') && line.len() >= 1024 {
            return Err(invalid("a header line longer than 1,024 bytes"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or_else(|| invalid("a message without a Content-Length"))?;
    if length > MAX_MESSAGE {
        return Err(invalid(&format!(
            "a message of {length} bytes; mpgen takes at most {MAX_MESSAGE}"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    // The checked body, framed again for `lsp-server` to parse.
    let mut frame = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    frame.extend_from_slice(&body);
    Message::read(&mut io::Cursor::new(frame))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_longer_than_the_bound_is_refused_before_it_is_read() {
        let huge = format!("Content-Length: {}\r\n\r\n{{", MAX_MESSAGE + 1);
        let err = read(&mut io::Cursor::new(huge)).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        let endless = "Content-Length: 2\r\n".to_string() + &"x".repeat(10_000);
        assert!(read(&mut io::Cursor::new(endless)).is_err());
    }

    #[test]
    fn messages_are_read_one_after_another() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let two = format!(
            "Content-Length: {0}\r\n\r\n{body}content-length: {0}\r\n\r\n{body}",
            body.len()
        );
        let mut input = io::Cursor::new(two);
        assert!(matches!(
            read(&mut input).unwrap(),
            Some(Message::Notification(_))
        ));
        assert!(matches!(
            read(&mut input).unwrap(),
            Some(Message::Notification(_))
        ));
        assert!(read(&mut input).unwrap().is_none());
    }
}
