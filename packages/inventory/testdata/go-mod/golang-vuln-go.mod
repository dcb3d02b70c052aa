module golang.org/x/vuln

go 1.18

require (
	github.com/google/go-cmdtest v0.4.1-0.20220921163831-55ab3332a786
	github.com/google/go-cmp v0.5.8
	golang.org/x/mod v0.14.0
	golang.org/x/sync v0.5.0
	golang.org/x/tools v0.16.0
	mvdan.cc/unparam v0.0.0-20230312165513-e84e2d14e3b8
)

require github.com/google/renameio v0.1.0 // indirect
