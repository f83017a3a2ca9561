"""The web console's files (index.html, console.js, console.css), served by elbd.api.console_page."""
