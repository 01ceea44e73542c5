// Package frontendkit is the browser side of footing: Go handlers that serve a static web app with
// sessions and CSRF protection, and the TypeScript Connect client, React hooks and Next.js
// template that talk to a footing service.
package frontendkit
