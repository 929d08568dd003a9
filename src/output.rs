//! Where `echo` and `syslog` output goes.

/// A sink for a run's output. Each `echo` is one line (the sink decides how lines are separated).
pub trait Output {
    /// One `echo` line, without a trailing newline.
    fn echo(&mut self, line: &[u8]);
    /// One `syslog` line; dropped unless the sink wants it.
    fn log(&mut self, priority: &str, message: &[u8]) {
        let _ = (priority, message);
    }
}

/// Collects echo lines into a buffer, each followed by `\n`.
impl Output for Vec<u8> {
    fn echo(&mut self, line: &[u8]) {
        self.extend_from_slice(line);
        self.push(b'\n');
    }
}

/// Discards everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Output for Discard {
    fn echo(&mut self, _line: &[u8]) {}
}

/// Calls a closure for each echo line (the host's `on_echo` callback).
pub struct EchoFn<F: FnMut(&[u8])>(pub F);

impl<F: FnMut(&[u8])> Output for EchoFn<F> {
    fn echo(&mut self, line: &[u8]) {
        (self.0)(line)
    }
}

/// Writes each echo line and a newline to an `io::Write` (stdout in the CLI); write errors are ignored
/// because a closed pipe must not turn into a script error.
pub struct WriteOutput<W: std::io::Write>(pub W);

impl<W: std::io::Write> Output for WriteOutput<W> {
    fn echo(&mut self, line: &[u8]) {
        let _ = self.0.write_all(line);
        let _ = self.0.write_all(b"\n");
        let _ = self.0.flush();
    }
    fn log(&mut self, priority: &str, message: &[u8]) {
        let _ = write!(self.0, "[syslog {priority}] ");
        let _ = self.0.write_all(message);
        let _ = self.0.write_all(b"\n");
    }
}
