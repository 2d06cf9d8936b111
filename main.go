// Command stoa is a self-hosted community forum and real-time chat server.
package main

import (
	"os"

	"stoa/server"
)

func main() { server.Main(os.Args) }
