# One Chromium tab driven through the DevTools protocol (python3-websocket), shared by the Cockpit page scripts:
# start_chromium() starts headless Chromium, Page waits, clicks, types into React inputs and, when a wait or a check
# fails, writes a screenshot and says what the page showed and what its script logged.
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import websocket

# Kept in window.__errors so that a failure can say what the page's script ran into.
ERROR_HOOK = '''window.__errors = [];
window.addEventListener("error", e => window.__errors.push("error: " + e.message + " " + (e.error && e.error.stack)));
window.addEventListener("unhandledrejection", e => window.__errors.push("rejection: " + JSON.stringify(e.reason)));
const consoleError = console.error;
console.error = (...a) => { window.__errors.push("console.error: " + a.join(" ")); consoleError.apply(console, a); };'''

DANGER = '!!document.querySelector(".pf-c-alert.pf-m-danger")'


class Page:
    """One Chromium tab over the DevTools protocol: commands answered by id, events ignored."""

    def __init__(self, ws_url, shots):
        self._ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self._id = 0
        self.shots = shots

    def call(self, method, **params):
        self._id += 1
        self._ws.send(json.dumps({'id': self._id, 'method': method, 'params': params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get('id') == self._id:
                if 'error' in message:
                    raise RuntimeError('%s: %s' % (method, message['error']))
                return message['result']

    def eval(self, expression):
        result = self.call('Runtime.evaluate', expression=expression, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in result:
            raise RuntimeError('%s: %s' % (expression, result['exceptionDetails']))
        return result['result'].get('value')

    def open(self, url):
        self.call('Page.enable')
        self.call('Page.addScriptToEvaluateOnNewDocument', source=ERROR_HOOK)
        self.call('Page.navigate', url=url)
        self.wait('document.readyState === "complete" && !!document.body && document.body.innerText.length > 0',
                  'the page')

    def wait(self, expression, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.2)
        self.fail('timed out after %d s waiting for %s' % (timeout, what))

    def wait_for(self, condition, what, timeout=30):
        """Waits until condition() (a check outside the page, such as kvmd's state) is true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        self.fail('timed out after %d s waiting for %s' % (timeout, what))

    def check(self, condition, message):
        """Like assert, but the failure also shows the page (and leaves failed.png)."""
        if not condition:
            self.fail(message)

    def fail(self, message):
        self.screenshot('failed')
        raise AssertionError('%s; the page shows:\n%s\nits dialog: %s\nits script logged:\n%s'
                             % (message, self.text(), self.eval(
                                 '(() => { const d = document.querySelector(".pf-c-modal-box");'
                                 ' return d ? d.innerText : "none"; })()'),
                                self.eval('(window.__errors || []).join("\\n")')))

    def text(self):
        return self.eval('document.body ? document.body.innerText : ""')

    def exists(self, selector):
        return self.eval('!!document.querySelector(%s)' % json.dumps(selector))

    def inner_text(self, selector):
        return self.eval('(() => { const e = document.querySelector(%s); return e ? e.innerText.trim() : null; })()'
                         % json.dumps(selector))

    def click(self, selector):
        found = self.eval('(() => { const e = document.querySelector(%s); if (e) e.click(); return !!e; })()'
                          % json.dumps(selector))
        self.check(found, 'no element %s on the page' % selector)

    def click_text(self, selector, text, what):
        """Waits for the first element matching selector whose text is text, and clicks it."""
        self.wait(click_text(selector, text), what)

    def type(self, selector, value):
        """Sets an input's value as typing does for React: through the native setter, then input and change events."""
        found = self.eval('''(() => {
            const e = document.querySelector(%s);
            if (!e) return false;
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(e, %s);
            e.dispatchEvent(new Event("input", { bubbles: true }));
            e.dispatchEvent(new Event("change", { bubbles: true }));
            return true; })()''' % (json.dumps(selector), json.dumps(value)))
        self.check(found, 'no input %s on the page' % selector)

    def screenshot(self, name):
        data = self.call('Page.captureScreenshot', format='png')['data']
        with open(os.path.join(self.shots, name + '.png'), 'wb') as f:
            f.write(base64.b64decode(data))

    def no_danger(self, after):
        self.check(not self.eval(DANGER), 'an error alert %s' % after)


def click_text(selector, text):
    """An expression that clicks the first element matching selector whose text is text, true when it found one."""
    return ('(() => { const e = [...document.querySelectorAll(%s)].find(e => e.innerText.trim() === %s);'
            ' if (e) e.click(); return !!e; })()' % (json.dumps(selector), json.dumps(text)))


def start_chromium(chromium, profile):
    process = subprocess.Popen(
        [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
         '--user-data-dir=' + profile, '--remote-debugging-port=0', '--window-size=1280,900', 'about:blank'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    port_file = os.path.join(profile, 'DevToolsActivePort')
    deadline = time.monotonic() + 30
    while not os.path.exists(port_file) or not open(port_file).read().strip():
        assert time.monotonic() < deadline and process.poll() is None, 'chromium did not open its DevTools port'
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen('http://127.0.0.1:%s/json/list' % port, timeout=10))
    return process, next(t['webSocketDebuggerUrl'] for t in targets if t['type'] == 'page')


def with_page(chromium, shots, run):
    """Starts Chromium, runs run(page) on its tab, and stops Chromium and everything it started."""
    profile = tempfile.mkdtemp(prefix='cockpit-chromium-')
    process, ws_url = start_chromium(chromium, profile)
    try:
        run(Page(ws_url, shots))
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # chromium and the helpers it started, in the group it leads
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def pass_virtualization_notice(page, ready_expression):
    """No vmx/svm on this machine: cockpit-machines asks first; "Ignore" is what a user clicks to go on."""
    page.wait('!!document.querySelector("#ignore-hw-virtualization-disabled-btn") || (%s)' % ready_expression,
              'the page or the virtualization notice', timeout=60)
    if page.exists('#ignore-hw-virtualization-disabled-btn'):
        page.screenshot('00-virtualization-notice')
        page.click('#ignore-hw-virtualization-disabled-btn')
