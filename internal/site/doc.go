// Package site is the reference site: the home page, a page per status code
// and per class, search and a helpful not-found page, each as HTML, JSON and
// plain text. Every page is rendered once, when the site is built, and
// served from memory with strong ETags and precompressed variants; Export
// writes the same bytes to a folder for any static web server.
//
// site imports catalog, respond and web, and must not import the server
// or another feature: the lab, /ip, /check and the try pages own their
// pages.
package site
