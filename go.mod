module github.com/peerfind/peerfind

go 1.26.8

require (
	github.com/paulmach/orb v0.14.0
	golang.org/x/text v0.37.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
)
